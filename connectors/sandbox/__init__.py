"""Local HTTPS emulators of the Salesforce REST API and HubSpot CRM v3 (DESIGN.md decision 2)."""
