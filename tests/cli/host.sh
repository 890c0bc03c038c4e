# CLI: a manifest child `host: KIND` (include/wactor_host.h) needs a kind the embedding program registered;
# the `wactor` program registers none, so the tree is refused with the kind named, and nothing runs.
. "$(dirname "$0")/lib.bash"
expect "host kind not registered" 2 "" "no host actor kind 'sqlite_kv' is registered" -- \
  "$WACTOR" run "$BUILD/fixtures/host_kind.yaml" --until-idle
finish
