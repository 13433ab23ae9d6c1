#include "store/store.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/stat.h>

#include <sqlite3.h>

#include "store/connection.hpp"
#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/schema.hpp"

namespace rosterd::store {
namespace {

const char* kind_label(bool write) {
  return write ? "write" : "read";
}

}  // namespace

struct store::instruments {
  base::metrics::counter_family& operations;
  base::metrics::histogram_family& seconds;
};

base::result<std::unique_ptr<store>> store::open(const options& opts,
                                                 std::shared_ptr<spdlog::logger> log) {
  if (!log) {
    log = std::make_shared<spdlog::logger>("store");  // no sinks: discards everything
  }
  if (opts.read_connections < 1) {
    return base::fail(errc::misuse, "store read_connections must be at least 1");
  }
  auto writer = open_writer(opts.path, opts.busy_timeout, head_version());
  if (!writer) {
    return writer.error();
  }
  auto report = upgrade_schema(*writer, *log);
  if (!report) {
    return report.error();
  }
  std::vector<database> readers;
  for (int i = 0; i < opts.read_connections; ++i) {
    auto reader = open_reader(opts.path, opts.busy_timeout);
    if (!reader) {
      return reader.error();
    }
    readers.push_back(std::move(*reader));
  }
  log->info("store_opened path={} schema_version={} migrations_applied={} read_connections={}",
            opts.path.string(), report->to, report->applied.size(), opts.read_connections);
  return std::unique_ptr<store>(
      new store(opts, std::move(log), std::move(*writer), std::move(readers), report->to));
}

store::store(const options& opts, std::shared_ptr<spdlog::logger> log, database writer,
             std::vector<database> readers, int version)
    : path_(opts.path),
      log_(std::move(log)),
      version_(std::make_shared<std::atomic<int>>(version)),
      writer_(std::make_unique<base::guarded<database>>(std::move(writer))),
      readers_(std::make_unique<connection_pool>(std::move(readers))),
      writer_thread_(1),
      reader_threads_(static_cast<std::size_t>(opts.read_connections)) {
  // Every row the writer inserts, updates or deletes (triggers and foreign-key actions
  // included; no table here is WITHOUT ROWID, which the hook would not see).
  sqlite3_update_hook(writer_->lock()->native_handle(), &store::on_row_change, this);
  if (opts.metrics != nullptr) {
    auto& registry = *opts.metrics;
    instruments_ = std::make_unique<instruments>(instruments{
        registry.counter("rosterd_store_operations_total",
                         "Store operations by kind (read, write) and outcome (ok, error).",
                         {"kind", "outcome"}),
        registry.histogram("rosterd_store_operation_seconds",
                           "Time a store operation held its connection, by kind.", {"kind"},
                           {0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5}),
    });
    // The gauge owns its state, so a registry that outlives the store still reads safely.
    registry.gauge("rosterd_store_schema_version", "Schema version of the open database.", {},
                   [v = version_] {
                     return std::vector<base::metrics::gauge_sample>{{{}, double(v->load())}};
                   });
  }
}

void store::on_row_change(void* self, int /*op*/, const char* /*db_name*/, const char* table,
                          long long /*rowid*/) noexcept {
  static_cast<store*>(self)->touched_tables_ |= table_changes::bit_of(table);
}

store::~store() {
  close();
}

int store::schema_version() const noexcept {
  return version_->load();
}

bool store::healthy() const noexcept {
  return healthy_.load(std::memory_order_relaxed);
}

void store::close() {
  if (closed_.exchange(true)) {
    return;
  }
  writer_thread_.join();
  reader_threads_.join();
  readers_.reset();
  writer_.reset();  // last connection out checkpoints the WAL into the database file
  log_->info("store_closed path={}", path_.string());
}

void store::check_open() const {
  if (closed_.load()) {
    throw std::logic_error("store used after close(): " + path_.string());
  }
}

store::outcome store::classify_failure(const base::failure& f) noexcept {
  if (f.code.category() != store_category()) {
    return outcome::failed;
  }
  switch (static_cast<errc>(f.code.value())) {
    case errc::io:
    case errc::full:
    case errc::corrupt:
    case errc::readonly:
    case errc::open_failed:
      return outcome::broken;
    default:
      return outcome::failed;
  }
}

void store::finish(op_kind kind, std::chrono::steady_clock::time_point started, outcome result) {
  healthy_.store(result != outcome::broken, std::memory_order_relaxed);
  if (!instruments_) {
    return;
  }
  const std::string kind_name = kind_label(kind == op_kind::write);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - started;
  instruments_->operations.inc({kind_name, result == outcome::ok ? "ok" : "error"});
  instruments_->seconds.observe({kind_name}, elapsed.count());
}

store::transaction_check::~transaction_check() {
  if (!db_.in_transaction()) {
    return;
  }
  // Left open, it would hold the write lock (writer) or pin an old snapshot (reader) for
  // whoever gets this connection next.
  log_.error("store_transaction_left_open path={}", db_.path().string());
  (void)db_.exec("ROLLBACK");
}

}  // namespace rosterd::store
