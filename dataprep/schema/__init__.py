"""Record schemas: detection and checks (checks), the fast twin (fast), error sentences (explain), files."""
