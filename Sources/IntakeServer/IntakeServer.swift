// Placeholder: IntakeServer is being built.
