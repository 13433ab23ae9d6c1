#include "store/migrations.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>

#include <openssl/evp.h>

#include "store/embedded_migrations.hpp"
#include "store/error.hpp"
#include "store/query.hpp"
#include "store/timestamp.hpp"
#include "store/transaction.hpp"

namespace rosterd::store {
namespace {

// The runner's own bookkeeping, created inside the first migration's transaction.
constexpr std::string_view create_table_sql = R"(CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  checksum TEXT NOT NULL,
  applied_at TEXT NOT NULL
))";
constexpr std::string_view insert_row_sql =
    "INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)";
constexpr std::string_view applied_rows_sql =
    "SELECT version, name, checksum FROM schema_migrations ORDER BY version";
constexpr std::string_view table_exists_sql =
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
constexpr std::string_view max_version_sql =
    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";

/// "0012_add_jobs.sql" -> 12. At most 9 digits, so the value always fits an int.
std::optional<int> parse_version(std::string_view name) {
  constexpr std::string_view suffix = ".sql";
  const auto underscore = name.find('_');
  if (underscore == 0 || underscore == std::string_view::npos || underscore > 9 ||
      name.size() <= underscore + 1 + suffix.size() || !name.ends_with(suffix)) {
    return std::nullopt;
  }
  int version = 0;
  for (const char c : name.substr(0, underscore)) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    version = version * 10 + (c - '0');
  }
  return version;
}

void warn_about_edited_migrations(database& db, std::span<const migration> migrations,
                                  spdlog::logger& log) {
  auto st = db.prepare(applied_rows_sql);
  if (!st) {
    log.warn("migration_checksums_unreadable reason=\"{}\"", base::describe(st.error()));
    return;
  }
  for (auto row = st->step(); row && *row; row = st->step()) {
    const auto version = st->column_int64(0);
    const auto it = std::find_if(migrations.begin(), migrations.end(),
                                 [&](const migration& m) { return m.version == version; });
    if (it == migrations.end()) {
      continue;
    }
    const auto recorded = st->column_text(2);
    const auto embedded = migration_checksum(it->sql);
    if (recorded != embedded) {
      // Applied migrations are history: an edit here never reaches databases already past it.
      log.warn("migration_checksum_mismatch version={} file={} recorded={} embedded={}", version,
               it->name, recorded, embedded);
    }
  }
}

/// Applies `m` in one transaction. Succeeds with false when another process applied it first.
base::result<bool> apply(database& db, const migration& m) {
  auto tx = transaction::begin(db, transaction::kind::immediate);
  if (!tx) {
    return tx.error();
  }
  if (auto created = db.exec(create_table_sql); !created) {
    return created.error();
  }
  // Read the version under the write lock: the check before the loop may be stale if the
  // daemon and rosterctl migrate at the same time.
  auto current = query_int(db, max_version_sql);
  if (!current) {
    return current.error();
  }
  if (*current >= m.version) {
    return false;
  }
  if (*current != m.version - 1) {
    return base::fail(errc::migration_failed, "database is at version " + std::to_string(*current) +
                                                  ", cannot apply version " +
                                                  std::to_string(m.version));
  }
  if (auto applied = db.exec(m.sql); !applied) {
    return applied.error();
  }
  if (!db.in_transaction()) {
    return base::fail(errc::migration_failed,
                      "the migration ended the runner's transaction; "
                      "remove BEGIN/COMMIT from the file");
  }
  auto insert = db.prepare(insert_row_sql);
  if (!insert) {
    return insert.error();
  }
  insert->bind_all(m.version, m.name, migration_checksum(m.sql),
                   iso8601_utc(std::chrono::system_clock::now()));
  if (auto inserted = insert->run(); !inserted) {
    return inserted.error();
  }
  if (auto committed = tx->commit(); !committed) {
    return committed.error();
  }
  return true;
}

}  // namespace

base::result<std::vector<migration>> load_migrations(std::span<const base::embedded_file> files) {
  std::vector<migration> list;
  list.reserve(files.size());
  for (const auto& file : files) {
    const auto version = parse_version(file.name);
    if (!version || *version == 0) {
      return base::fail(
          errc::invalid_migrations,
          "migration file name must be NNNN_<what>.sql with NNNN >= 1: " + std::string(file.name));
    }
    list.push_back(migration{*version, file.name, file.data});
  }
  std::stable_sort(list.begin(), list.end(),
                   [](const migration& a, const migration& b) { return a.version < b.version; });
  for (std::size_t i = 0; i < list.size(); ++i) {
    const int expected = static_cast<int>(i) + 1;
    if (list[i].version == expected) {
      continue;
    }
    const bool duplicate = i > 0 && list[i].version == list[i - 1].version;
    return base::fail(errc::invalid_migrations,
                      duplicate ? "two migrations have version " + std::to_string(list[i].version) +
                                      ": " + std::string(list[i - 1].name) + " and " +
                                      std::string(list[i].name)
                                : "migration version " + std::to_string(expected) +
                                      " is missing before " + std::string(list[i].name));
  }
  return list;
}

std::span<const migration> builtin_migrations() {
  static const std::vector<migration> list = load_migrations(embedded_migrations()).value();
  return list;
}

int head_version(std::span<const migration> migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

int head_version() {
  return head_version(builtin_migrations());
}

base::result<int> current_version(database& db) {
  auto exists = query_int(db, table_exists_sql);
  if (!exists) {
    return exists.error();
  }
  if (*exists == 0) {
    return 0;
  }
  auto version = query_int(db, max_version_sql);
  if (!version) {
    return version.error();
  }
  return static_cast<int>(*version);
}

base::result<int> check_schema_version(database& db, int head) {
  auto current = current_version(db);
  if (!current) {
    return current.error();
  }
  if (*current > head) {
    return base::fail(errc::schema_too_new,
                      "database " + db.path().string() + " has schema version " +
                          std::to_string(*current) + " but this rosterd knows versions up to " +
                          std::to_string(head) + "; upgrade rosterd or restore a backup");
  }
  return *current;
}

base::result<migration_report> migrate(database& db, std::span<const migration> migrations,
                                       spdlog::logger& log) {
  const int head = head_version(migrations);
  auto current = check_schema_version(db, head);
  if (!current) {
    return current.error();
  }
  migration_report report{*current, *current, {}};
  if (*current > 0) {
    warn_about_edited_migrations(db, migrations, log);
  }
  for (const auto& m : migrations) {
    if (m.version <= report.to) {
      continue;
    }
    auto applied = apply(db, m);
    if (!applied) {
      // Not logged here: the caller reports the failure once, with its own context.
      return base::fail(errc::migration_failed,
                        "migration " + std::string(m.name) + " failed and was rolled back; " +
                            "database " + db.path().string() + " is at schema version " +
                            std::to_string(report.to) + ": " + base::describe(applied.error()));
    }
    if (*applied) {
      log.info("migration_applied file={} version={}", m.name, m.version);
      report.applied.emplace_back(m.name);
    }
    report.to = m.version;
  }
  return report;
}

std::string migration_checksum(std::string_view sql) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(sql.data(), sql.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("EVP_Digest(sha256) failed");  // only on allocation failure
  }
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(std::size_t{size} * 2);
  for (unsigned int i = 0; i < size; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

}  // namespace rosterd::store
