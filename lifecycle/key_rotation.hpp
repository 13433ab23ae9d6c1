#pragma once
// Moving stored ciphertext to the vault's newest key while the daemon keeps serving
// (`rosterctl keys rotate`), and counting which key versions the
// stored values use (`rosterctl keys status`, the daemon's key checks).
//
// Rotation reads a batch of rows on a read connection, re-seals the values under the current
// key outside any lock, then writes them back in one short transaction with compare-and-swap
// (`UPDATE ... WHERE id = ? AND column = <the value we read>`): a value the daemon rewrote in
// between (a refresh storing new tokens) is left alone, never overwritten with the old token.
// Every batch commits on its own, so an interrupted rotation loses nothing and the next run
// resumes: values already under the current key are skipped without being decrypted.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "store/database.hpp"
#include "store/store.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

/// A column holding vault ciphertext, in a table whose primary key is the text column `id`
/// (the row id the value is bound to).
struct sealed_column {
  std::string_view table;
  std::string_view column;
  /// "table.column", for reports.
  [[nodiscard]] std::string name() const;
};

/// Every column that holds vault ciphertext: rotation, status and the daemon's key check scan
/// exactly these. A new sealed column must be added here, or rotation would leave it behind
/// and retiring the old key would make it unreadable.
std::span<const sealed_column> sealed_columns();

/// How many stored values use each key version.
struct key_version_counts {
  /// version -> values, over every sealed column.
  std::map<std::uint32_t, std::uint64_t> by_version;
  /// "table.column" -> version -> values.
  std::map<std::string, std::map<std::uint32_t, std::uint64_t>> by_column;
  /// Non-NULL values without a vault header (corrupt: they can never be opened).
  std::uint64_t unreadable = 0;

  [[nodiscard]] std::uint64_t total() const;
  /// Values under a version other than `version` (what a rotation to it still has to move).
  [[nodiscard]] std::uint64_t not_under(std::uint32_t version) const;
  /// Values under `version` (0 means the version may be deleted from the key file).
  [[nodiscard]] std::uint64_t under(std::uint32_t version) const;
};

/// Counts the stored values per key version from their headers (nothing is decrypted).
base::result<key_version_counts> count_key_versions(store::database& db);

/// A value rotation could not move (open() failed: tampered, or a version the keyring lacks).
struct unmovable_value {
  std::string column;  ///< "table.column"
  std::string row_id;
  base::failure why;
};

struct rotation_report {
  std::uint32_t target_version = 0;
  /// Re-sealed under target_version and written back.
  std::uint64_t rewrapped = 0;
  /// Read under an older key but rewritten by someone else (the daemon) before our
  /// compare-and-swap: left as they were written.
  std::uint64_t skipped_changed = 0;
  /// Already under target_version (not decrypted).
  std::uint64_t already_current = 0;
  /// Could not be opened; the first few are listed in `unmovable`.
  std::uint64_t failed = 0;
  std::vector<unmovable_value> unmovable;
  /// Batches read (each written back in at most one short transaction).
  std::uint64_t batches = 0;
  /// after_batch asked to stop before the end: run again to resume.
  bool stopped = false;
  /// The counts after the run (set when the run finished, stopped or not).
  key_version_counts remaining;
};

struct rotation_options {
  /// Rows read and written back per transaction. Small enough that the daemon's own writes
  /// wait at most a few milliseconds for ours.
  std::size_t batch_rows = 250;
  /// How many unmovable values the report lists (all are counted).
  std::size_t max_listed_failures = 20;
  /// Called after every committed batch with the totals so far; return false to stop.
  std::function<bool(const rotation_report&)> after_batch;
  /// Test seam: called after a batch was read and re-sealed, before it is written back.
  std::function<void()> before_write;
};

/// Re-seals every stored value that is not under keys.current_version(), batch by batch, with
/// compare-and-swap writes (see the top of this file). Fails only when the store fails; values
/// that cannot be opened are counted and skipped. Blocking: for rosterctl and tests, not for an
/// I/O thread.
base::result<rotation_report> rotate_keys(store::store& db, const vault::keyring& keys,
                                          const rotation_options& options = {});

}  // namespace rosterd::lifecycle
