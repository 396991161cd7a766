"""The plan in the browser: a hanke's plan part by part, edited and versioned."""
