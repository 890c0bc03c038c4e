/* chat_member — one participant of a chat room over topics; several components run this module.
 *
 * The guest does not know the name it is registered under, so the host tells it who it is:
 *   {"nick":"alice","room":"chat.room1","expect":3}
 *        take that nickname and join the room: subscribe to the topic and publish {"from":..,"hello":true}.
 *        "expect" (optional) is the room's size: this member holds back what it is told to say until it
 *        has met expect - 1 others, so that nobody misses the start of the conversation (a publication
 *        reaches only those subscribed at that moment). A later nick message leaves the old room first.
 *   {"say":"hello"}    publish {"from":"alice","text":"hello"} to the room (held back until the room is full)
 *   {"leave":true}     unsubscribe from the room
 *
 * Meeting others: a member answers every {"hello"} it sees with {"from":..,"here":true}. Whichever of two
 * members subscribes second sees the other's hello or, failing that, has its own hello seen and answered
 * — either way both learn of each other, and each learns of the other only after the other subscribed.
 *
 * A chat line on the room is logged as "bob: hello" (the CLI prefixes the component's name, so with
 * components named after their nicknames it reads "[alice] bob: hello"); the member's own words are
 * skipped. Every member also subscribes, in _start, to ANNOUNCE_TOPIC for notices published by the host
 * (e.g. a manifest's `publish:` entry), logged as "[announce] host: ...". Anything malformed is logged as
 * a warning and ignored; nothing here traps on bad input. */
#define WACTOR_GUEST_IMPLEMENTATION /* this file defines cabi_realloc (sdk/c/wactor_guest.h) */
#include "wactor_guest.h"

#define ANNOUNCE_TOPIC "chat.announce"
#define NICK_MAX 64
#define ROOM_MAX 128
#define TEXT_MAX 1024
#define PEERS_MAX 32
#define HELD_MAX 16

static char nick[NICK_MAX];               /* "" until the host names this member */
static char room[ROOM_MAX];               /* the subscribed topic, "" when in no room */
static int64_t expect;                    /* the room's expected size, 0 = do not wait */
static char peers[PEERS_MAX][NICK_MAX];   /* the other members met in this room */
static size_t npeers;
static char *held[HELD_MAX];              /* texts to say once the room is full */
static size_t nheld;

static void drop_held(void) {
    if (nheld)
        wactor_logf(WACTOR_LOG_WARN, "chat: %zu unsaid line(s) dropped", nheld);
    for (size_t i = 0; i < nheld; i++)
        free(held[i]);
    nheld = 0;
}

static int room_full(void) {
    return expect <= 1 || (int64_t)npeers >= expect - 1;
}

/* Publishes {"from":<nick>,<member>} where `member` is the rest of the object (e.g. "\"here\":true"). */
static void publish_from(const char *member) {
    char out[sizeof "{\"from\":,}" + 6 * NICK_MAX + 2 + 6 * TEXT_MAX + 32];
    size_t n = (size_t)snprintf(out, sizeof out, "{\"from\":");
    n += wactor_json_escape(out + n, sizeof out - n, nick, strlen(nick));
    if (n < sizeof out)
        snprintf(out + n, sizeof out - n, ",%s}", member);
    int32_t rc = wactor_publish_json(room, out);
    if (rc < 0)
        wactor_logf(WACTOR_LOG_ERROR, "chat: %s cannot publish to %s: %s (%d)", nick, room, wactor_error_name(rc),
                    (int)rc);
}

static void say_now(const char *text, size_t len) {
    char member[sizeof "\"text\":" + 6 * TEXT_MAX + 2];
    size_t n = (size_t)snprintf(member, sizeof member, "\"text\":");
    wactor_json_escape(member + n, sizeof member - n, text, len);
    publish_from(member);
}

static void flush_held(void) {
    for (size_t i = 0; i < nheld; i++) {
        say_now(held[i], strlen(held[i]));
        free(held[i]);
    }
    nheld = 0;
}

static void leave_room(void) {
    if (room[0] == '\0')
        return;
    drop_held();
    int32_t rc = wactor_unsubscribe(room, strlen(room));
    if (rc != 0)
        wactor_logf(WACTOR_LOG_WARN, "chat: unsubscribe %s: %s (%d)", room, wactor_error_name(rc), (int)rc);
    else
        wactor_logf(WACTOR_LOG_INFO, "chat: %s left %s", nick, room);
    room[0] = '\0';
    npeers = 0;
}

/* Records that `who` is in the room; logs the first meeting and says what was held back once full. */
static void met(const char *who) {
    for (size_t i = 0; i < npeers; i++)
        if (strcmp(peers[i], who) == 0)
            return;
    if (npeers == PEERS_MAX) {
        wactor_logf(WACTOR_LOG_WARN, "chat: more than %d others in %s; not counting %s", PEERS_MAX, room, who);
        return;
    }
    int was_full = room_full();
    memcpy(peers[npeers++], who, strlen(who) + 1);
    wactor_logf(WACTOR_LOG_INFO, "* %s is here", who);
    if (!was_full && room_full()) {
        wactor_logf(WACTOR_LOG_INFO, "chat: %s is full (%lld members)", room, (long long)expect);
        flush_held();
    }
}

/* {"nick":..., "room":..., "expect":N} */
static void on_join(const char *json, size_t len) {
    char new_nick[NICK_MAX], new_room[ROOM_MAX];
    long nl = wactor_json_get_string(json, len, "nick", new_nick, sizeof new_nick);
    long rl = wactor_json_get_string(json, len, "room", new_room, sizeof new_room);
    int64_t new_expect = 0;
    if (nl <= 0 || nl >= NICK_MAX || rl <= 0 || rl >= ROOM_MAX ||
        (wactor_json_find(json, len, "expect") != 0 &&
         (wactor_json_get_i64(json, len, "expect", &new_expect) != 0 || new_expect < 0 ||
          new_expect > PEERS_MAX + 1))) {
        wactor_logf(WACTOR_LOG_WARN, "chat: expected {\"nick\":\"<1..%d bytes>\",\"room\":\"<topic>\"[,\"expect\":"
                    "0..%d]}", NICK_MAX - 1, PEERS_MAX + 1);
        return;
    }
    leave_room();
    memcpy(nick, new_nick, (size_t)nl + 1);
    int32_t rc = wactor_subscribe(new_room, (size_t)rl);
    if (rc != 0) {
        wactor_logf(WACTOR_LOG_ERROR, "chat: %s cannot join %s: %s (%d)", nick, new_room, wactor_error_name(rc),
                    (int)rc);
        return;
    }
    memcpy(room, new_room, (size_t)rl + 1);
    expect = new_expect;
    wactor_logf(WACTOR_LOG_INFO, "chat: %s joined %s (pid %llu)", nick, room, (unsigned long long)wactor_self());
    publish_from("\"hello\":true");
}

/* {"say": TEXT} */
static void on_say(const char *json, size_t len) {
    char text[TEXT_MAX];
    long tl = wactor_json_get_string(json, len, "say", text, sizeof text);
    if (tl < 0 || tl >= TEXT_MAX) {
        wactor_logf(WACTOR_LOG_WARN, "chat: \"say\" must be a string of at most %d bytes", TEXT_MAX - 1);
        return;
    }
    if (room[0] == '\0') {
        wactor_log_str(WACTOR_LOG_WARN, "chat: \"say\" before joining a room (send {\"nick\":..,\"room\":..})");
        return;
    }
    if (room_full()) {
        say_now(text, (size_t)tl);
        return;
    }
    char *copy = nheld < HELD_MAX ? strdup(text) : NULL;
    if (copy == NULL) {
        wactor_logf(WACTOR_LOG_WARN, "chat: cannot hold back more lines; dropped \"%s\"", text);
        return;
    }
    held[nheld++] = copy;
    wactor_logf(WACTOR_LOG_DEBUG, "chat: waiting for %lld more member(s) before speaking",
                (long long)(expect - 1 - (int64_t)npeers));
}

/* A publication on `topic` (NUL-terminated, possibly truncated). */
static void on_publication(const char *topic, const char *sender, size_t sender_len, const char *json,
                           size_t len) {
    char from[NICK_MAX], text[TEXT_MAX];
    long fl = wactor_json_get_string(json, len, "from", from, sizeof from);
    long tl = wactor_json_get_string(json, len, "text", text, sizeof text);
    const char *ellipsis = tl >= TEXT_MAX ? "..." : "";
    if (strcmp(topic, ANNOUNCE_TOPIC) == 0) {
        if (tl < 0)
            wactor_logf(WACTOR_LOG_WARN, "chat: announcement without \"text\" from %.*s", (int)sender_len, sender);
        else
            wactor_logf(WACTOR_LOG_INFO, "[announce] %.*s: %s%s", (int)sender_len, sender, text, ellipsis);
        return;
    }
    if (room[0] == '\0' || strcmp(topic, room) != 0) {
        wactor_logf(WACTOR_LOG_DEBUG, "chat: publication on %s outside the room, ignored", topic);
        return;
    }
    if (fl <= 0 || fl >= NICK_MAX) {
        int shown = len > 120 ? 120 : (int)len;
        wactor_logf(WACTOR_LOG_WARN, "chat: publication on %s from %.*s without a valid \"from\": %.*s", topic,
                    (int)sender_len, sender, shown, json);
        return;
    }
    if (strcmp(from, nick) == 0)
        return; /* our own publication, delivered back to us as a subscriber */
    if (wactor_json_find(json, len, "hello") != 0) {
        met(from);
        publish_from("\"here\":true"); /* every hello is answered: a rejoining member must learn of us too */
    } else if (wactor_json_find(json, len, "here") != 0) {
        met(from);
    } else if (tl >= 0) {
        met(from); /* speaking proves presence */
        wactor_logf(WACTOR_LOG_INFO, "%s: %s%s", from, text, ellipsis);
    } else {
        int shown = len > 120 ? 120 : (int)len;
        wactor_logf(WACTOR_LOG_WARN, "chat: unexpected publication on %s: %.*s", topic, shown, json);
    }
}

static void on_message(const char *sender, size_t sender_len, const uint8_t *payload, size_t len) {
    char topic[ROOM_MAX];
    int32_t tn = wactor_current_topic(topic, sizeof topic);
    uint64_t codec;
    const uint8_t *body;
    size_t blen;
    if (wactor_payload_body(payload, len, &codec, &body, &blen) != 0 || codec != WACTOR_CODEC_JSON) {
        wactor_logf(WACTOR_LOG_WARN, "chat: ignoring a non-JSON %s from %.*s", tn > 0 ? "publication" : "message",
                    (int)sender_len, sender);
        return;
    }
    const char *json = (const char *)body;
    if (tn > 0) {
        on_publication(topic, sender, sender_len, json, blen);
    } else if (wactor_json_find(json, blen, "nick") != 0) {
        on_join(json, blen);
    } else if (wactor_json_find(json, blen, "say") != 0) {
        on_say(json, blen);
    } else if (wactor_json_find(json, blen, "leave") != 0) {
        leave_room();
    } else {
        int shown = blen > 120 ? 120 : (int)blen;
        wactor_logf(WACTOR_LOG_WARN, "chat: expected {\"nick\":..,\"room\":..}, {\"say\":..} or {\"leave\":true} "
                    "from %.*s, got %.*s", (int)sender_len, sender, shown, json);
    }
}
WACTOR_HANDLE_MESSAGE(on_message)

WACTOR_EXPORT("_start") void chat_start(void);
void chat_start(void) {
    int32_t rc = wactor_subscribe(ANNOUNCE_TOPIC, strlen(ANNOUNCE_TOPIC));
    if (rc != 0)
        wactor_logf(WACTOR_LOG_WARN, "chat: no announcements (subscribe %s: %s, %d)", ANNOUNCE_TOPIC,
                    wactor_error_name(rc), (int)rc);
}
