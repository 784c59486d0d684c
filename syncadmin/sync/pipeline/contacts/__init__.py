"""Contacts ⇄ Salesforce Contacts and Leads on the pipeline's stages (DESIGN.md 11):
fields (what is read, canonical values), link, plan (pure), write, commit, repair (retry,
restore) and lifecycle (D5). `ContactSync` is the facade run.py drives."""

from syncadmin.sync.pipeline.contacts.fields import (
    EPOCH,
    HS_SF_ID,
    LAG,
    LIFECYCLE_STREAMS,
    SF_EXT_ID,
    SF_OBJECTS,
    STREAM_KEYS,
)
from syncadmin.sync.pipeline.contacts.sync import ContactSync

__all__ = ["EPOCH", "HS_SF_ID", "LAG", "LIFECYCLE_STREAMS", "SF_EXT_ID", "SF_OBJECTS",
           "STREAM_KEYS", "ContactSync"]
