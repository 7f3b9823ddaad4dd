"""The command line as an operator meets it: sign-in, faults and bad input."""
