"""The `serve` web app: practice pages and the results viewer."""
