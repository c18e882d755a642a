"""The domain: disputes, reviews, agreements and digests, with no Slack imports."""
