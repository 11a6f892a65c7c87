"""Local fixtures of the public sources smokkelradar monitors: the demo web and its corpus."""
