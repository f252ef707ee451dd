/**
 * Implementation details of jakarta-api-auth: key codec, hashing, config parsing, usage tracking.
 * Public only so that the library's own packages can share them; <strong>no compatibility promise</strong>:
 * anything here may change or disappear in any release.
 */
package dev.apiauth.internal;
