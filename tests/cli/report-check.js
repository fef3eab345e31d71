// Injected by report-browser.sh into a copy of an acsctl report: measures
// the picture as Chromium laid it out and writes the verdict into the page
// (<pre id="acsctl-check">), which the test reads from --dump-dom.
// Lines: boxes, arcs, overflow (texts past their box, or past the
// legend's picture), overlap (boxes on each other), groups and looks
// (distinct fills), loose (arc ends away from their boxes), cut (names not
// shown whole in their box), page and scale (the picture's share of the
// page's width), then "pair A B" per arc (addresses sorted) and "bad ..."
// per fault.
(function () {
	var lines = [], bad = [], pairs = [];
	var byAddr = {}, rects = [], groupLook = {}, looks = {};
	var boxes = 0, overflow = 0, overlap = 0, arcs = 0, loose = 0, cut = 0;
	var slack = 0.5;

	function inside(r, b) {
		return r.x >= b.x - slack && r.y >= b.y - slack && r.x + r.width <= b.x + b.width + slack &&
			r.y + r.height <= b.y + b.height + slack;
	}
	// a fill as the eye sees it: a colour, or a pattern's colour and tile
	function look(el) {
		var fill = getComputedStyle(el).fill, m = /url\("?#([^")]+)"?\)/.exec(fill), p;
		if (!m)
			return fill;
		p = document.getElementById(m[1]);
		if (!p)
			return "missing " + m[1];
		return getComputedStyle(p.querySelector("rect")).fill + "|" + p.getAttribute("patternTransform") +
			"|" + p.querySelector("g").innerHTML;
	}
	// how far point pt is from rectangle b (0 on or inside it)
	function away(pt, b) {
		var dx = Math.max(b.x - pt.x, 0, pt.x - b.x - b.width), dy = Math.max(b.y - pt.y, 0, pt.y - b.y - b.height);
		return Math.sqrt(dx * dx + dy * dy);
	}
	document.querySelectorAll("svg.fabric g.fn").forEach(function (g) {
		var addr = g.getAttribute("data-addr"), box = g.querySelector("rect.box"), b, fill;
		if (!box) {
			bad.push("no box " + addr);
			return;
		}
		boxes++;
		b = box.getBBox();
		byAddr[addr] = b;
		rects.push([addr, b]);
		g.querySelectorAll("text").forEach(function (t) {
			var r = t.getBBox();
			if (!inside(r, b)) {
				overflow++;
				bad.push("overflow " + addr + " text " + Math.round(r.x) + "+" + Math.round(r.width) +
					" box " + Math.round(b.x) + "+" + Math.round(b.width));
			}
		});
		// the name as the box shows it, against the whole one in its title
		var title = g.querySelector("title").textContent, name = title.slice(title.indexOf(": ") + 2);
		var shown = Array.prototype.map.call(g.querySelectorAll("text.desc tspan"), function (t) {
			return t.textContent;
		}).join(" ");
		if (shown.replace(/ /g, "") !== name.replace(/ /g, "")) {
			cut++;
			bad.push("cut " + addr + ": " + shown);
		}
		fill = g.querySelector(".gfill");
		if (g.getAttribute("data-group") === "none" || !fill)
			return;
		fill = look(fill);
		if (groupLook[g.getAttribute("data-group")] === undefined)
			groupLook[g.getAttribute("data-group")] = fill;
		else if (groupLook[g.getAttribute("data-group")] !== fill)
			bad.push("group " + g.getAttribute("data-group") + " in two looks");
	});
	// every other picture (the legend): its texts inside its own area
	document.querySelectorAll("svg:not(.fabric)").forEach(function (svg) {
		var area = { x: 0, y: 0, width: svg.width.baseVal.value, height: svg.height.baseVal.value };
		svg.querySelectorAll("text").forEach(function (t) {
			if (!inside(t.getBBox(), area)) {
				overflow++;
				bad.push("overflow " + (svg.getAttribute("class") || "svg") + ": " + t.textContent);
			}
		});
	});
	for (var i = 0; i < rects.length; i++)
		for (var j = i + 1; j < rects.length; j++) {
			var a = rects[i][1], c = rects[j][1];
			if (a.x < c.x + c.width && c.x < a.x + a.width && a.y < c.y + c.height && c.y < a.y + a.height) {
				overlap++;
				bad.push("overlap " + rects[i][0] + " " + rects[j][0]);
			}
		}
	Object.keys(groupLook).forEach(function (g) {
		if (looks[groupLook[g]] !== undefined)
			bad.push("groups " + looks[groupLook[g]] + " and " + g + " look the same");
		looks[groupLook[g]] = g;
	});
	document.querySelectorAll("svg.fabric path.unsafe-arc").forEach(function (p) {
		var from = p.getAttribute("data-from"), to = p.getAttribute("data-to"), len = p.getTotalLength();
		arcs++;
		if (!byAddr[from] || !byAddr[to] || from === to) {
			bad.push("arc without its boxes " + from + " " + to);
			loose++;
			return;
		}
		if (away(p.getPointAtLength(0), byAddr[from]) > 2 || away(p.getPointAtLength(len), byAddr[to]) > 2) {
			bad.push("arc ends away from its boxes " + from + " " + to);
			loose++;
		}
		pairs.push("pair " + [from, to].sort().join(" "));
	});
	// how much of the page's width the picture takes, and its scale
	var fab = document.querySelector("svg.fabric");
	if (fab) {
		var shown = fab.getBoundingClientRect().width;
		lines.push("page=" + Math.round(100 * shown / document.querySelector(".pic").clientWidth),
			"scale=" + (shown / fab.viewBox.baseVal.width).toFixed(2));
	}
	lines.push("boxes=" + boxes, "arcs=" + arcs, "overflow=" + overflow, "overlap=" + overlap,
		"groups=" + Object.keys(groupLook).length, "looks=" + Object.keys(looks).length, "loose=" + loose,
		"cut=" + cut);
	pairs.sort();
	var pre = document.createElement("pre");
	pre.id = "acsctl-check";
	pre.textContent = "\n" + lines.concat(pairs, bad.map(function (s) { return "bad " + s; })).join("\n") + "\n";
	document.body.appendChild(pre);
})();
