"""Data that fills a database for a look or a measurement: the demo programme (`load_demo`)
and the synthetic scale data set (`generate_scale`). Both write every app's models."""
