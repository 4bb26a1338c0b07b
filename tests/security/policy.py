"""The URL x role policy: the status each role gets for a GET of each URL, in one table.

test_url_policy.py walks every URL the resolver knows and fails for a name that has no
row here, so a new URL is covered as soon as it exists. Statuses are for the objects
tests/security/world.py builds (e.g. a message already sending cannot be edited: 302).
Anonymous visitors of staff pages are sent to the login page (302); a volunteer on a
staff page gets 403; POST-only URLs answer a GET with 405 once the role is allowed in.
"""

# Not walked: Django's admin checks staff status itself and is a third-party page set
# (its model pages are reached only by admins); static files are served outside Django.
EXCLUDED_NAMESPACES = {"admin"}

ROLES = ("anonymous", "volunteer", "organizer", "admin")

# fmt: off
POLICY = {
    # name:                      (anonymous, volunteer, organizer, admin)
    "home":                        (302, 200, 200, 200),
    "healthz":                     (200, 200, 200, 200),
    "set_language":                (302, 302, 302, 302),  # GET only redirects back; POST sets

    "accounts:login":              (200, 302, 302, 302),
    "accounts:logout":             (405, 405, 405, 405),  # POST only
    "accounts:two_factor":         (302, 302, 302, 302),  # nothing to verify: all are sent on
    "accounts:users":              (302, 403, 403, 200),
    "accounts:invite":             (302, 403, 403, 405),  # POST only
    "accounts:role":               (302, 403, 403, 405),  # POST only
    "accounts:freeze":             (302, 403, 403, 200),  # GET: the confirmation step
    "accounts:deactivate":         (302, 403, 403, 200),  # GET: the confirmation step
    "accounts:unfreeze":           (302, 403, 403, 302),  # the volunteer is active: back to the users page
    "accounts:password_set":       (200, 200, 200, 200),  # an invitee's one-time link: the token is the credential
    "accounts:enrolment_link":     (302, 403, 403, 405),  # POST only
    "accounts:enrol":              (302, 404, 200, 404),  # a link made for the organizer: theirs alone
    "accounts:audit":              (302, 403, 403, 200),
    "accounts:audit_csv":          (302, 403, 403, 200),
    "accounts:organisation":       (302, 403, 403, 200),
    "accounts:outbox":             (302, 403, 403, 200),
    "accounts:outbox_file":        (302, 403, 403, 200),

    "campaigns:list":              (302, 403, 200, 200),
    "campaigns:create":            (302, 403, 200, 200),
    "campaigns:history":           (302, 403, 200, 200),
    "campaigns:history_report":    (302, 403, 200, 200),
    "campaigns:detail":            (302, 403, 200, 200),
    "campaigns:edit":              (302, 403, 200, 200),
    "campaigns:status":            (405, 405, 405, 405),  # POST only, refused before the login check
    "campaigns:action_add":        (302, 403, 200, 200),
    "campaigns:action_edit":       (302, 403, 200, 200),

    "contacts:list":               (302, 403, 200, 200),
    "contacts:create":             (302, 403, 200, 200),
    "contacts:detail":             (302, 403, 200, 200),
    "contacts:edit":               (302, 403, 200, 200),
    "contacts:unsubscribe":        (302, 403, 405, 405),
    "contacts:bulk":               (302, 403, 405, 405),  # POST only: tag, add to / remove from a list
    "contacts:erase":              (302, 403, 200, 200),
    "contacts:lists":              (302, 403, 200, 200),
    "contacts:list_edit":          (302, 403, 200, 200),
    "contacts:tags":               (302, 403, 200, 200),
    "contacts:segments":           (302, 403, 200, 200),
    "contacts:segment_new":        (302, 403, 200, 200),
    "contacts:segment_count":      (302, 403, 200, 200),
    "contacts:segment":            (302, 403, 200, 200),
    "contacts:import":             (302, 403, 200, 200),
    "contacts:import_columns":     (302, 403, 404, 404),  # an upload's mapping step: only in its uploader's session
    "contacts:import_mappings":    (302, 403, 200, 200),
    "contacts:import_mapping":     (302, 403, 200, 200),  # GET shows it; renaming and deleting are POSTs
    "contacts:import_job":         (302, 403, 200, 200),
    "contacts:import_status":      (302, 403, 200, 200),
    "contacts:import_errors":      (302, 403, 200, 200),
    "contacts:export":             (302, 403, 403, 200),

    "flyers:list":                 (302, 403, 200, 200),
    "flyers:create":               (302, 403, 200, 200),
    "flyers:detail":               (302, 403, 200, 200),
    "flyers:edit":                 (302, 403, 200, 200),
    "flyers:draft_preview":        (302, 403, 405, 405),  # both patterns: POST only
    "flyers:preview":              (302, 200, 200, 200),
    "flyers:download":             (302, 200, 200, 200),
    "flyers:batch_create":         (302, 403, 405, 405),
    "flyers:batch":                (302, 403, 200, 200),
    "flyers:batch_download":       (302, 403, 404, 404),  # not rendered yet
    "flyers:volunteer":            (302, 200, 200, 200),
    "flyers:print":                (302, 200, 200, 200),
    "flyers:run":                  (302, 200, 200, 200),  # the volunteer's own print run
    "flyers:drop_add":             (302, 405, 405, 405),  # POST only
    "flyers:drop":                 (302, 200, 200, 200),  # the volunteer's own drop: they may correct it

    "messaging:list":              (302, 403, 200, 200),
    "messaging:create":            (302, 403, 200, 200),
    "messaging:detail":            (302, 403, 200, 200),
    "messaging:edit":              (302, 403, 302, 302),  # already sending: back to its page
    "messaging:preview":           (302, 403, 200, 200),
    "messaging:test":              (302, 403, 405, 405),
    "messaging:send":              (302, 403, 405, 405),  # POST only: the confirmation step, then send now
    "messaging:schedule":          (302, 403, 405, 405),  # POST only: a time, the confirmation step
    "messaging:progress":          (302, 403, 200, 200),
    "messaging:act":               (302, 403, 405, 405),

    "asks:create":                 (302, 403, 200, 200),
    "asks:detail":                 (302, 403, 200, 200),
    "asks:edit":                   (302, 403, 200, 200),
    "asks:status":                 (405, 405, 405, 405),  # POST only, refused before the login check
    "asks:responses":              (302, 403, 200, 200),  # names and (masked) emails: audited
    "asks:response_confirm":       (405, 405, 405, 405),  # POST only
    "asks:petition_pdf":           (302, 403, 200, 200),  # named signers only: audited download
    "asks:checkin":                (302, 403, 200, 200),  # the door list
    "asks:checkin_response":       (405, 405, 405, 405),  # POST only
    "asks:checkin_token":          (302, 403, 200, 200),  # the QR in an attendee's mail: organizers only

    # Login-free pages (the `public` app; before issue 10 they were campaigns:public,
    # contacts_signup, contacts_signup_confirm, messaging_public:unsubscribe,
    # messaging_public:preferences and the anymail include). Token pages get valid tokens
    # for the planted supporter: the token is the supporter's own credential.
    "public:campaign":             (200, 200, 200, 200),
    "public:ask":                  (200, 200, 200, 200),  # an ask's page and form: area only, never the place
    "public:response_confirm":     (200, 200, 200, 200),  # the emailed link: GET shows a button
    "public:short_link":           (302, 302, 302, 302),  # /r/<code> printed under a QR: on to /c/<slug>/?r=
    "public:signup":               (200, 200, 200, 200),
    "public:signup_confirm":       (200, 200, 200, 200),
    "public:unsubscribe":          (200, 200, 200, 200),
    "public:preferences":          (200, 200, 200, 200),
    "public:ask_withdraw":         (200, 200, 200, 200),  # "I can't come" from an attendee's mail
    # anymail's own webhook URLs, one row for the whole include: refused while no
    # ANYMAIL_WEBHOOK_SECRET is configured (messaging.tracking).
    "public:anymail:*":            (403, 403, 403, 403),
}
# fmt: on


def expected(name, role):
    """The status `role` gets for GET `name`, or None when the table has no row for it."""
    row = POLICY.get(name)
    if row is None:  # a row for a whole namespace of third-party URLs, e.g. "public:anymail:*"
        row = POLICY.get(name.rsplit(":", 1)[0] + ":*")
    return None if row is None else row[ROLES.index(role)]
