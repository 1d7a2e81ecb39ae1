"""Pipeline that turns the upstream API document into the committed spec and the generated client."""
