/**
 * The {@code ./rtsem} command line (picocli): loads a scenario ({@code config}), runs it ({@code run}) and writes the
 * report ({@code report}); shows and tunes the machine ({@code machine}, {@code ./rtsem tune}); the top of the module's dependencies, which no other package depends on.
 */
package io.rtsem.latency.cli;
