#pragma once
// The onboarding CSV against the database: the checks that need to know who exists, the dry
// run's diff, and the apply. Plan and apply share one function, so what the dry run promises
// is exactly what the apply does (on the same data).
//
// Apply is one transaction over every row without errors: all of them or none. It is
// idempotent (the same file again changes nothing and sends nothing), an edited file adds and
// removes team members, and creators missing from the file are reported, never deleted.

#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "roster/audit.hpp"
#include "roster/clock.hpp"
#include "roster/mail.hpp"
#include "roster/model.hpp"
#include "roster/onboarding_csv.hpp"
#include "roster/settings.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

enum class creator_action {
  add,         // a new creator (a new person, or an existing user linked)
  reactivate,  // a creator removed earlier, back on the roster
  update,      // already on the roster: name or team changes
  unchanged,   // already on the roster exactly as the row says
  skipped,     // the row has errors and is not applied
};
std::string_view to_string(creator_action a) noexcept;

struct planned_creator {
  int line = 0;
  std::string name;
  std::string email;
  creator_action action = creator_action::add;
  std::string creator_id;     // empty for a creator not yet created
  std::string previous_name;  // set when the row renames the creator
  bool links_existing_user = false;
  std::vector<std::string> team_add;     // emails, sorted
  std::vector<std::string> team_remove;  // emails, sorted
};

/// A person who will hear from us: an invitation (no password yet) or a notice (they already
/// sign in and are added to this agency's roster).
struct planned_message {
  std::string email;
  role kind = role::agent;  // creator when they are a creator of the file
  bool notice = false;
  std::vector<std::string> creators;  // the creators they are invited for, sorted by name
};

/// An active creator of the account that the file does not mention: reported, kept.
struct absent_creator {
  std::string creator_id;
  std::string name;
  std::string email;
};

struct onboarding_plan {
  std::vector<column_source> columns;     // the heading taken for each template column
  std::vector<issue> file_warnings;       // about the header or the whole file
  std::vector<issue> issues;              // per row, file checks and database checks, by line
  std::vector<planned_creator> creators;  // every row, in file order
  std::vector<planned_message> invitations;
  std::vector<planned_message> notices;
  std::vector<absent_creator> not_in_file;
  bool applied = false;

  [[nodiscard]] int rows() const noexcept { return static_cast<int>(creators.size()); }
  [[nodiscard]] int rows_with_errors() const noexcept;
  [[nodiscard]] int count(creator_action a) const noexcept;
  [[nodiscard]] int team_additions() const noexcept;
  [[nodiscard]] int team_removals() const noexcept;
  /// True when applying would change nothing.
  [[nodiscard]] bool no_changes() const noexcept;
};

/// The dry run: checks the parsed file against the account's roster and says what an apply
/// would do. Reads only. Fails with not_found when the account does not exist.
base::result<onboarding_plan> plan_onboarding(store::database& db, std::string_view account_id,
                                              const onboarding_file& file,
                                              const onboarding_options& options);

/// Plans and applies in one immediate transaction on `db` (the writer), queueing the
/// invitations and notices through `mail` and writing the audit log in the same transaction.
/// Rows with errors are left out; if anything fails, nothing is stored or sent.
base::result<onboarding_plan> apply_onboarding(store::database& db, mailer& mail,
                                               const roster_settings& settings,
                                               std::string_view account_id,
                                               const onboarding_file& file,
                                               const onboarding_options& options, const actor& who,
                                               time_point now);

}  // namespace rosterd::roster
