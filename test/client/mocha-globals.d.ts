// The browser tests run under web-test-runner's mocha, whose describe/it/afterEach are globals.
/// <reference types="mocha" />
