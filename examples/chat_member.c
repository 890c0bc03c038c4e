/* chat_member — one participant of a chat room over topics; several components run this module.
 *
 * The guest does not know the name it is registered under, so the host tells it who it is:
 *   {"nick":"alice","room":"chat.room1"}  take that nickname and join the room (subscribe to the topic;
 *                                         a later nick message leaves the old room first)
 *   {"say":"hello"}                       publish {"from":"alice","text":"hello"} to the room
 *   {"leave":true}                        unsubscribe from the room
 * A publication on the room is logged as "bob: hello" (the CLI prefixes the component's name, so with
 * components named after their nicknames the line reads "[alice] bob: hello"); the member's own
 * publications are skipped. A publication without "from" (e.g. a manifest `publish:` entry) is shown
 * with the sender's address instead. Anything malformed is logged as a warning and ignored. */
#include "wactor_guest.h"

#define NICK_MAX 64
#define ROOM_MAX 128
#define TEXT_MAX 1024

static char nick[NICK_MAX]; /* "" until the host names this member */
static char room[ROOM_MAX]; /* the subscribed topic, "" when in no room */

static void leave_room(void) {
    if (room[0] == '\0')
        return;
    int32_t rc = wactor_unsubscribe(room, strlen(room));
    if (rc != 0)
        wactor_logf(WACTOR_LOG_WARN, "chat: unsubscribe %s: %s (%d)", room, wactor_error_name(rc), (int)rc);
    else
        wactor_logf(WACTOR_LOG_INFO, "chat: %s left %s", nick, room);
    room[0] = '\0';
}

/* {"nick":..., "room":...} */
static void on_join(const char *json, size_t len) {
    char new_nick[NICK_MAX], new_room[ROOM_MAX];
    long nl = wactor_json_get_string(json, len, "nick", new_nick, sizeof new_nick);
    long rl = wactor_json_get_string(json, len, "room", new_room, sizeof new_room);
    if (nl <= 0 || nl >= NICK_MAX || rl <= 0 || rl >= ROOM_MAX) {
        wactor_logf(WACTOR_LOG_WARN, "chat: expected {\"nick\":\"<1..%d bytes>\",\"room\":\"<topic>\"}",
                    NICK_MAX - 1);
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
    wactor_logf(WACTOR_LOG_INFO, "chat: %s joined %s (pid %llu)", nick, room, (unsigned long long)wactor_self());
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
        wactor_log_str(WACTOR_LOG_WARN, "chat: \"say\" before joining a room (send {\"nick\":...,\"room\":...})");
        return;
    }
    /* {"from":<nick>,"text":<text>}: escaped strings are at most 6 bytes per input byte, plus quotes */
    char out[sizeof "{\"from\":,\"text\":}" + 6 * NICK_MAX + 6 * TEXT_MAX + 4];
    size_t n = (size_t)snprintf(out, sizeof out, "{\"from\":");
    n += wactor_json_escape(out + n, sizeof out - n, nick, strlen(nick));
    n += (size_t)snprintf(out + n, sizeof out - n, ",\"text\":");
    n += wactor_json_escape(out + n, sizeof out - n, text, (size_t)tl);
    snprintf(out + n, sizeof out - n, "}");
    int32_t rc = wactor_publish_json(room, out);
    if (rc < 0)
        wactor_logf(WACTOR_LOG_ERROR, "chat: %s cannot publish to %s: %s (%d)", nick, room, wactor_error_name(rc),
                    (int)rc);
    else
        wactor_logf(WACTOR_LOG_DEBUG, "chat: %s said %zu bytes to %d subscriber(s)", nick, (size_t)tl, (int)rc);
}

/* A publication on `topic` (NUL-terminated, possibly truncated). */
static void on_publication(const char *topic, const char *sender, size_t sender_len, const char *json,
                           size_t len) {
    char from[NICK_MAX], text[TEXT_MAX];
    long fl = wactor_json_get_string(json, len, "from", from, sizeof from);
    long tl = wactor_json_get_string(json, len, "text", text, sizeof text);
    if (tl < 0) {
        int shown = len > 120 ? 120 : (int)len;
        wactor_logf(WACTOR_LOG_WARN, "chat: publication on %s without \"text\": %.*s", topic, shown, json);
        return;
    }
    if (fl > 0 && fl < NICK_MAX && strcmp(from, nick) == 0)
        return; /* our own words, echoed back by the room */
    const char *ellipsis = tl >= TEXT_MAX ? "..." : "";
    if (fl > 0)
        wactor_logf(WACTOR_LOG_INFO, "%s%s: %s%s", from, fl >= NICK_MAX ? "..." : "", text, ellipsis);
    else
        wactor_logf(WACTOR_LOG_INFO, "%.*s: %s%s", (int)sender_len, sender, text, ellipsis);
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
