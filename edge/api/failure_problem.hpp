#pragma once
// Which problem a failure answers with. Every library's error codes are mapped in one switch
// per library that names each enumerator (no default: a new code does not build until it has a
// problem type), and the client reads only what a failure says for clients.

#include <string>
#include <system_error>

#include "base/failure.hpp"
#include "http/problem.hpp"

namespace rosterd::edge::api {

/// The problem for `f`: the type, status and fixed wording of its code (500 about:blank for a
/// code no library here defines), with `f.client_message` as `detail` where the type lets a
/// failure say more, and `errors` naming the field the message starts with ("email: ..."), the
/// password, or the file. `f.detail` is for the operator and never appears in it.
http::problem problem_for(const base::failure& f);

/// The code as the log names it, "roster.not_found"; "<category>.<value>" for a code no library
/// here defines ("generic.95").
std::string code_name(const std::error_code& code);

}  // namespace rosterd::edge::api
