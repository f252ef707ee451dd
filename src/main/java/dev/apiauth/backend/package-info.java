/**
 * The storage SPI: {@link dev.apiauth.backend.Backend}, its exceptions and
 * {@link dev.apiauth.backend.BackendProvider}. Implement {@code Backend} as a CDI bean and select it with
 * {@code apiauth.backend=<its @Named name>}, or produce it with the {@code @ApiAuth} qualifier.
 */
package dev.apiauth.backend;
