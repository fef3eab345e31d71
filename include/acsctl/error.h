/* SPDX-License-Identifier: GPL-2.0-or-later */
/**
 * @file acsctl/error.h
 * @brief Errors are values: every library call returns 0 or a negative code
 * and leaves a one-line message that acs_error_last() returns.
 */
#ifndef ACSCTL_ERROR_H
#define ACSCTL_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

/** Return codes of the library. */
enum acs_error_code {
	ACS_OK = 0,
	ACS_ERROR = -1,      /**< anything not listed below */
	ACS_ENOTFOUND = -2,  /**< a file, device or name that does not exist */
	ACS_EPARSE = -3,     /**< input that is not what it claims to be */
	ACS_EPERM = -4,      /**< not allowed (e.g. config space needs root) */
	ACS_EINVAL = -5,     /**< bad argument or inconsistent topology */
	ACS_ENOMEM = -6,     /**< allocation failed */
	ACS_EUNKNOWN = -7,   /**< the answer depends on state the source lacks */
};

/** The last error of the calling thread. */
typedef struct acs_error {
	int code;            /**< one of enum acs_error_code */
	char message[512];   /**< one line, no trailing newline */
} acs_error;

/**
 * The last error set on this thread.
 * @return a borrowed pointer, valid until the next library call on this
 *         thread; code is ACS_OK and message empty when none was set.
 */
const acs_error *acs_error_last(void);

/** Forget the last error of this thread. */
void acs_error_clear(void);

#ifdef __cplusplus
}
#endif
#endif
