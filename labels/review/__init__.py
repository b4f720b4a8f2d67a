"""Review: merging analysts' layers into candidates, the review state, and the reviewer's decisions."""
