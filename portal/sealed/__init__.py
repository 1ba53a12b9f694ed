"""Every act the portal issued, by the SHA-256 of its sealed file (issue 26): the
verification page looks an uploaded file up here to say whether the portal issued it, when,
for which reference, and on which host it is to be verified.

One public-schema table for every member: the hash is looked up without knowing the
member; the row names the member's schema, so a document is verified on its own host only.
Portal imports no app: kinds are plain strings ("sve.ar", "billing.titre").
"""
