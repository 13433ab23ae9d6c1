#pragma once
// Roster-wide status: every connection the caller may see, most urgent first, with counts by
// state and provider on top, and each creator's connection summary for the creators list.
// Scoped in SQL by the same rule as every roster read (roster::visible_creators_cte): owners,
// admins and service tokens see the account, anyone else the creators whose team they are on
// (and themselves). Each read is a fixed number of queries whatever the page holds: one for the
// page, one for the counts; one for the summaries of a page of creators.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "lifecycle/connections.hpp"
#include "roster/clock.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"
#include "store/store.hpp"

namespace rosterd::lifecycle {

inline constexpr int max_status_page = 200;
/// "Due within N days" looks at most this far ahead (a reminder window, not a calendar).
inline constexpr int max_due_within_days = 366;

/// Which rows to show; every field narrows (empty or nullopt: no narrowing).
struct status_filter {
  std::vector<connection_status> states;
  std::vector<std::string> providers;
  /// Connections whose re-consent deadline is at most this many days from now (overdue ones
  /// included): 0..max_due_within_days.
  std::optional<int> due_within_days;
  /// Creators with this user (a user id) on their team.
  std::optional<std::string> team_member;
  /// Creators whose name contains this text, ignoring ASCII case.
  std::optional<std::string> name;
};

struct status_row {
  std::string connection_id;
  std::string creator_id;
  std::string creator_name;
  std::string provider;
  std::string username;
  connection_status status = connection_status::connected;
  std::string status_reason;  ///< lifecycle::status_reason as stored (its code)
  std::string status_changed_at;
  std::optional<std::string> reauth_due_at;
  std::optional<std::string> deadline_cause;
  bool deadline_self_renewing = false;
  std::optional<std::string> last_error_at;
};

struct status_counts {
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> by_state;     ///< every state, zeros included
  std::map<std::string, std::int64_t> by_provider;  ///< the providers present in the set
};

struct status_page {
  std::vector<status_row> items;
  std::optional<std::string> next;  ///< cursor for the next page, nullopt on the last
  status_counts counts;             ///< of the whole filtered set, not just this page
};

/// The row's status reason in the creator's words ("Your Instagram login expired: ..."), with
/// `provider_name` as people know the platform.
std::string reason_words(const status_row& row, std::string_view provider_name);

/// Parses "expired,revoked" into states; invalid_argument naming the unknown one.
base::result<std::vector<connection_status>> parse_states(std::string_view list);

/// One page of the caller's visible connections that pass `filter`, in urgency order:
/// expired, revoked and error first, then expiring, connected, disconnected; within each, the
/// soonest deadline first (none last), then by connection id, so the order is total and a
/// cursor resumes exactly where the page ended. `cursor` is the `next` of the previous page
/// with the same filter. Fails with invalid_argument for a bad cursor, limit or filter value.
base::result<status_page> roster_status(store::database& db, const roster::caller& who,
                                        const status_filter& filter,
                                        std::optional<std::string_view> cursor, int limit,
                                        time_point now);

/// Every row of the caller's filtered set (for an export), in the same order, reading
/// max_status_page rows per query. Fails with invalid_argument, before reading any row, when the
/// set holds more than `max_rows` (narrow the filter).
base::result<std::vector<status_row>> roster_status_rows(store::database& db,
                                                         const roster::caller& who,
                                                         const status_filter& filter,
                                                         std::size_t max_rows, time_point now);

/// A number that moves whenever a write of this process changed a table roster_status reads
/// (store::changes_to over them): a page kept from before still holds while it stays the same.
[[nodiscard]] std::uint64_t roster_status_changes(const store::store& db) noexcept;

/// A creator's connections at a glance: how many in each state, and the soonest deadline of
/// those still to be renewed (not disconnected).
struct connection_summary {
  std::map<std::string, std::int64_t> by_state;
  std::optional<std::string> soonest_deadline;
};

/// The summaries of `creator_ids` (all in `account_id`, already checked visible by the caller)
/// in one aggregate query; a creator without connections is absent from the map.
base::result<std::map<std::string, connection_summary>> connection_summaries(
    store::database& db, std::string_view account_id, const std::vector<std::string>& creator_ids);

/// The providers of a creator's connections that need the creator (expiring, expired, revoked,
/// error), by provider: what a reconnect link made for them must cover.
base::result<std::vector<std::string>> providers_needing_attention(store::database& db,
                                                                   std::string_view account_id,
                                                                   std::string_view creator_id);

}  // namespace rosterd::lifecycle
