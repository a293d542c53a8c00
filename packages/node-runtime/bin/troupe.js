#!/usr/bin/env node
// The `troupe` command. A file of its own, so that it exists (and is linked) before the package is
// built; the command itself is the built CLI.
import '../dist/bundle/main.js';
