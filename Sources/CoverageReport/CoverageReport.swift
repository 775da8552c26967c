// Placeholder: CoverageReport is being built.
