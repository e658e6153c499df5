"""Small hand-made registers for the pure tests of the graph and the checks."""
