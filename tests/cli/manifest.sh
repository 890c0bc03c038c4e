# CLI: what `wactor run` says about a manifest before running it — warnings (capability targets that
# name nothing declared, with a suggestion) on stderr without failing, and the `version:` key.
. "$(dirname "$0")/lib.bash"
EX=$BUILD/examples
cat > "$TMP/typo.yaml" <<YAML
components:
  - name: store
    module: $EX/kv.wasm
  - name: client
    module: $EX/kv_client.wasm
    capabilities:
      request: [stroe]
send:
  - to: client
    json: {"run": 1, "to": "stroe"}
YAML
expect "a typo'd target is a warning with a suggestion, and the run goes on" 0 \
  "^summary: 2 components, " \
  "Z WARN  \[manifest\] $TMP/typo.yaml:7:17: warning: capability 'request' target 'stroe' names no component, supervisor or host actor of this manifest, so it grants nothing unless something registers that name at run time; did you mean 'store'\?$" \
  -- "$WACTOR" run "$TMP/typo.yaml" --until-idle
sed -i '1i version: 1' "$TMP/typo.yaml"
expect "version: 1 is read (positions move with the line added)" 0 "" "typo.yaml:8:17: warning" \
  -- "$WACTOR" run "$TMP/typo.yaml" --until-idle
sed -i '1s/.*/version: 2/' "$TMP/typo.yaml"
expect "an unknown version is refused" 2 "" \
  "typo.yaml:1:10: unsupported manifest version 2 \(this wactor reads version 1\)" \
  -- "$WACTOR" run "$TMP/typo.yaml" --until-idle
printf 'components:\n  - name: a\n    module: %s/echo.wasm\n    capabilities: {send: [b]}\n  - name: b\n    module: %s/echo.wasm\n' "$EX" "$EX" > "$TMP/clean.yaml"
expect "no warning when every target is declared" 0 "" "" -- "$WACTOR" run "$TMP/clean.yaml" --until-idle
grep -q "warning" "$TMP/err" && { fail=$((fail + 1)); echo "FAIL: a warning for a clean manifest"; } || pass=$((pass + 1))
finish
