"""Translation of validated function bodies into executable superinstructions."""
