#include "lifecycle/key_rotation.hpp"

#include <array>
#include <optional>

#include "store/in_transaction.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace {

namespace sql = store::sql;

// The table and column names must match the bindings the writers use (connections.cpp,
// connection_pages.cpp, oauth_attempts.cpp): the binding is part of each value's
// authentication.
constexpr std::array<sealed_column, 4> columns{{
    {"connections", "access_token"},
    {"connections", "refresh_token"},
    {"connection_pages", "access_token"},
    {"oauth_attempts", "pkce_verifier"},
}};

/// The version named by a value's first header bytes, as vault::key_version_of reads it. The
/// count query only fetches the 5 header bytes of values long enough to be sealed, so they are
/// padded back to the minimum size key_version_of checks for.
std::optional<std::uint32_t> version_of_header(std::vector<std::uint8_t> header) {
  if (header.size() != vault::header_bytes) {
    return std::nullopt;
  }
  header.resize(vault::overhead_bytes);
  return vault::key_version_of(header);
}

struct pending_value {
  std::string row_id;
  std::vector<std::uint8_t> read;      // the value as we read it: the compare in the CAS
  std::vector<std::uint8_t> resealed;  // under the current key
};

struct batch {
  std::vector<pending_value> moves;
  std::optional<std::string> last_id;  // keyset cursor: the next batch starts after it
};

// Reads up to `limit` rows after `after`, re-sealing on the calling thread (no lock held), and
// tallies what needs no write into `report`.
base::result<batch> read_batch(store::store& db, const vault::keyring& keys,
                               const sealed_column& where, const std::string& after,
                               std::size_t limit, const rotation_options& options,
                               rotation_report& report) {
  struct row {
    std::string id;
    std::vector<std::uint8_t> value;
  };
  const std::string select = "SELECT id, " + std::string(where.column) + " FROM " +
                             std::string(where.table) + " WHERE id > ? AND " +
                             std::string(where.column) + " IS NOT NULL ORDER BY id LIMIT ?";
  auto rows = db.read_now([&](store::database& d) -> base::result<std::vector<row>> {
    std::vector<row> out;
    auto read = sql::each(
        d, select,
        [&](store::statement& s) {
          out.push_back({s.column_text(0), s.column_blob(1)});
        },
        after, static_cast<std::int64_t>(limit));
    if (!read) {
      return read.error();
    }
    return out;
  });
  if (!rows) {
    return rows.error();
  }
  batch out;
  for (auto& r : *rows) {
    auto moved = keys.rewrap(r.value, {where.table, r.id, where.column});
    if (!moved) {
      ++report.failed;
      if (report.unmovable.size() < options.max_listed_failures) {
        report.unmovable.push_back({where.name(), r.id, moved.error()});
      }
    } else if (!*moved) {
      ++report.already_current;
    } else {
      out.moves.push_back({r.id, std::move(r.value), std::move(**moved)});
    }
  }
  if (!rows->empty()) {
    out.last_id = rows->back().id;
  }
  return out;
}

// One short write transaction: each value is replaced only if it still holds what we read.
base::result<void> write_batch(store::store& db, const sealed_column& where, const batch& b,
                               rotation_report& report) {
  if (b.moves.empty()) {
    return {};
  }
  const std::string update = "UPDATE " + std::string(where.table) + " SET " +
                             std::string(where.column) + " = ? WHERE id = ? AND " +
                             std::string(where.column) + " = ?";
  std::uint64_t written = 0;
  auto cas = store::in_transaction([&](store::database& d) -> base::result<void> {
    written = 0;
    for (const auto& m : b.moves) {
      if (auto done = sql::run(d, update, m.resealed, m.row_id, m.read); !done) {
        return done;
      }
      written += static_cast<std::uint64_t>(d.changes());
    }
    return {};
  });
  if (auto done = db.write_now(cas); !done) {
    return done;
  }
  report.rewrapped += written;
  report.skipped_changed += b.moves.size() - written;
  return {};
}

}  // namespace

std::string sealed_column::name() const {
  return std::string(table) + "." + std::string(column);
}

std::span<const sealed_column> sealed_columns() {
  return columns;
}

std::uint64_t key_version_counts::total() const {
  std::uint64_t n = unreadable;
  for (const auto& [version, values] : by_version) {
    n += values;
  }
  return n;
}

std::uint64_t key_version_counts::not_under(std::uint32_t version) const {
  return total() - under(version);
}

std::uint64_t key_version_counts::under(std::uint32_t version) const {
  const auto it = by_version.find(version);
  return it == by_version.end() ? 0 : it->second;
}

base::result<key_version_counts> count_key_versions(store::database& db) {
  key_version_counts out;
  for (const auto& c : columns) {
    // Grouped by header in SQL so only 5 bytes per distinct header leave SQLite, not every
    // token; a value too short to be sealed groups under NULL.
    const std::string col(c.column);
    const std::string query = "SELECT CASE WHEN length(" + col +
                              ") >= " + std::to_string(vault::overhead_bytes) + " THEN substr(" +
                              col + ", 1, " + std::to_string(vault::header_bytes) +
                              ") END AS header, COUNT(*) FROM " + std::string(c.table) + " WHERE " +
                              col + " IS NOT NULL GROUP BY header";
    auto& per_column = out.by_column[c.name()];
    auto read = sql::each(db, query, [&](store::statement& s) {
      const auto n = static_cast<std::uint64_t>(s.column_int64(1));
      if (const auto version = version_of_header(s.column_blob(0))) {
        per_column[*version] += n;
        out.by_version[*version] += n;
      } else {
        out.unreadable += n;
      }
    });
    if (!read) {
      return read.error();
    }
  }
  return out;
}

base::result<rotation_report> rotate_keys(store::store& db, const vault::keyring& keys,
                                          const rotation_options& options) {
  rotation_report report;
  report.target_version = keys.current_version();
  const std::size_t limit = options.batch_rows == 0 ? 1 : options.batch_rows;
  for (const auto& column : columns) {
    std::string after;  // "" sorts before every id
    for (;;) {
      auto b = read_batch(db, keys, column, after, limit, options, report);
      if (!b) {
        return b.error();
      }
      if (!b->last_id) {
        break;
      }
      if (options.before_write) {
        options.before_write();
      }
      if (auto written = write_batch(db, column, *b, report); !written) {
        return written.error();
      }
      ++report.batches;
      after = *b->last_id;
      if (options.after_batch && !options.after_batch(report)) {
        report.stopped = true;
        break;
      }
    }
    if (report.stopped) {
      break;
    }
  }
  auto counts = db.read_now([](store::database& d) { return count_key_versions(d); });
  if (!counts) {
    return counts.error();
  }
  report.remaining = std::move(*counts);
  return report;
}

}  // namespace rosterd::lifecycle
