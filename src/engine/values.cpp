/*
 * values.cpp — diagnostics and conversions between wactor's C types (wactor_value, eng_functype) and wabt's
 * (Value, FuncType). See internal.hpp for the file map.
 */
#include "engine/internal.hpp"

#include <cstdio>
#include <cstring>

namespace engine {

void diag_clear(wactor_diag *diag) {
    if (diag) {
        diag->trap = WACTOR_TRAP_NONE;
        diag->exit_code = 0;
        diag->message[0] = '\0';
    }
}

void diag_set(wactor_diag *diag, wactor_trap_kind trap, const char *fmt, ...) {
    if (!diag) return;
    diag->trap = trap;
    diag->exit_code = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(diag->message, sizeof diag->message, fmt, ap);
    va_end(ap);
}

bool to_wactor_type(Type t, wactor_valtype *out) {
    switch (t) {
    case Type::I32: *out = WACTOR_I32; return true;
    case Type::I64: *out = WACTOR_I64; return true;
    case Type::F32: *out = WACTOR_F32; return true;
    case Type::F64: *out = WACTOR_F64; return true;
    default: return false;
    }
}

Type to_wabt_type(wactor_valtype t) {
    switch (t) {
    case WACTOR_I32: return Type::I32;
    case WACTOR_I64: return Type::I64;
    case WACTOR_F32: return Type::F32;
    case WACTOR_F64: return Type::F64;
    }
    return Type::Void;
}

const char *valtype_name(wactor_valtype t) {
    switch (t) {
    case WACTOR_I32: return "i32";
    case WACTOR_I64: return "i64";
    case WACTOR_F32: return "f32";
    case WACTOR_F64: return "f64";
    }
    return "?";
}

/* Converts a wabt signature; false if a type is not a number type or there are too many. */
bool to_functype(const FuncType &ft, eng_functype *out) {
    std::memset(out, 0, sizeof *out);
    if (ft.params.size() > ENG_MAX_PARAMS || ft.results.size() > ENG_MAX_PARAMS) return false;
    out->nparams = (uint32_t)ft.params.size();
    out->nresults = (uint32_t)ft.results.size();
    for (size_t i = 0; i < ft.params.size(); i++)
        if (!to_wactor_type(ft.params[i], &out->params[i])) return false;
    for (size_t i = 0; i < ft.results.size(); i++)
        if (!to_wactor_type(ft.results[i], &out->results[i])) return false;
    return true;
}

FuncType to_wabt_functype(const eng_functype &t) {
    ValueTypes params, results;
    for (uint32_t i = 0; i < t.nparams && i < ENG_MAX_PARAMS; i++) params.push_back(to_wabt_type(t.params[i]));
    for (uint32_t i = 0; i < t.nresults && i < ENG_MAX_PARAMS; i++) results.push_back(to_wabt_type(t.results[i]));
    return FuncType(params, results);
}

std::string sig_string(const FuncType &ft) {
    std::string s = "(";
    for (size_t i = 0; i < ft.params.size(); i++) s += (i ? ", " : "") + ft.params[i].GetName();
    s += ") -> (";
    for (size_t i = 0; i < ft.results.size(); i++) s += (i ? ", " : "") + ft.results[i].GetName();
    return s + ")";
}

Value to_wabt_value(const wactor_value &v) {
    switch (v.type) {
    case WACTOR_I32: return Value::Make((u32)v.of.i32);
    case WACTOR_I64: return Value::Make((u64)v.of.i64);
    case WACTOR_F32: return Value::Make(v.of.f32);
    case WACTOR_F64: return Value::Make(v.of.f64);
    }
    return Value();
}

wactor_value to_wactor_value(wactor_valtype t, const Value &v) {
    wactor_value out;
    std::memset(&out, 0, sizeof out);
    out.type = t;
    switch (t) {
    case WACTOR_I32: out.of.i32 = (int32_t)v.Get<u32>(); break;
    case WACTOR_I64: out.of.i64 = (int64_t)v.Get<u64>(); break;
    case WACTOR_F32: out.of.f32 = v.Get<f32>(); break;
    case WACTOR_F64: out.of.f64 = v.Get<f64>(); break;
    }
    return out;
}


bool same_sig(const eng_functype &a, const eng_functype &b) {
    if (a.nparams != b.nparams || a.nresults != b.nresults) return false;
    for (uint32_t i = 0; i < a.nparams; i++)
        if (a.params[i] != b.params[i]) return false;
    for (uint32_t i = 0; i < a.nresults; i++)
        if (a.results[i] != b.results[i]) return false;
    return true;
}

} // namespace engine
