"""A local stand-in for Slack: Web API server, signed request driver, Block Kit text renderer.

Nothing here talks to the real Slack.  ``SlackStandIn`` answers Web API calls the way Slack
does for the fictional "Northwind IT" workspace (see ``workspace``), ``SlackDriver`` sends
slash commands, events and interactivity payloads to the Parley app signed like Slack, and
``blocktext`` turns Block Kit into plain text for transcripts.
"""
