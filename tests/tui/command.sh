#!/bin/bash
# tests/tui/command.sh: : command mode — Tab completes commands and model
# names, :versions opens a model, :filter takes MLflow syntax and shows a syntax
# error with its column, unknown commands are named.
. "$MLC_SRCDIR/tests/lib.sh"
db=$(demo_db)
tui_start 100 30 -r "$db"
wait_for "Models (8)"
keys :
literal "ver"
keys Tab
wait_for ":versions"
literal "fraud-d"
keys Tab
wait_for ":versions fraud-detector"
keys Enter
wait_for "Versions of fraud-detector"
keys :
literal "filter name LIKE 'fraud%'"
keys Enter
wait_for "Models where name LIKE 'fraud%'"
wait_for "(1)"
keys :
literal "filter name = 'a' or name = 'b'"
keys Enter
wait_for "column 12"
wait_for "Models where name LIKE 'fraud%' (1)"
keys :
literal "filter"
keys Enter
wait_for "Models (8)"
keys :
literal "bogus"
keys Enter
wait_for ":bogus: unknown command"
keys :
literal "q"
keys Enter
expect_quit ":q exits 0"
finish
