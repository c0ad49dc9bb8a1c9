"""The build machinery: the build's steps (build), the cache session and workers (incremental,
parallel, store), writing the output folder (output, lock), the no-op check (noop) and the
progress line. Stages (the flat modules of generator/) never import this package; commands and
the services on top of it (serve, publish) do. See docs/architecture.md.
"""
