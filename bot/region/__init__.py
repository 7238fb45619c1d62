"""The region wing: the network's region and its municipalities."""
