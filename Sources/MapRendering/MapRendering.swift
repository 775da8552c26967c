// Placeholder: MapRendering is being built.
