"""Talking to the two remote systems (Salesforce, HubSpot). No Django imports here."""
