#pragma once
// The audit log: who did what to what, and when. Written in the same transaction as the change.

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

/// The actor of a change: a caller, or the CLI / the daemon itself.
struct actor {
  std::string kind;  // user | token | system | cli
  std::string id;
  std::string label;

  static actor of(const caller& c);
  static actor cli(std::string label = "rosterctl") { return {"cli", "", std::move(label)}; }
  static actor system() { return {"system", "", "rosterd"}; }
};

struct audit_entry {
  std::string account_id;  // empty for instance-level actions
  std::string action;      // dotted, past tense: "creator.added", "team.member_removed"
  std::string target_kind;
  std::string target_id;
  std::string creator_id;  // the creator the entry is about, so they can read it
  std::string detail;      // short, human-readable; never a secret
};

base::result<void> record(store::database& db, const actor& who, const audit_entry& entry,
                          time_point now);

}  // namespace rosterd::roster
