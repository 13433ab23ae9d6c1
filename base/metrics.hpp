#pragma once
// A small Prometheus registry: counters, histograms and scrape-time gauges, exposed in the
// text format (version 0.0.4). Families are created at wiring time; samples are thread-safe.

#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::base::metrics {

using label_values = std::vector<std::string>;

class counter_family {
 public:
  counter_family(std::string name, std::string help, std::vector<std::string> label_names);
  /// Adds `delta` to the series with these label values (in label-name order).
  void inc(const label_values& labels, double delta = 1.0);
  [[nodiscard]] double value(const label_values& labels) const;
  void expose(std::string& out) const;

 private:
  std::string name_, help_;
  std::vector<std::string> label_names_;
  mutable std::mutex mutex_;
  std::map<label_values, double> series_;
};

class histogram_family {
 public:
  histogram_family(std::string name, std::string help, std::vector<std::string> label_names,
                   std::vector<double> upper_bounds);
  void observe(const label_values& labels, double value);
  void expose(std::string& out) const;

 private:
  struct series {
    std::vector<std::uint64_t> buckets;  // cumulative counts are computed at exposition
    double sum = 0;
    std::uint64_t count = 0;
  };
  std::string name_, help_;
  std::vector<std::string> label_names_;
  std::vector<double> bounds_;
  mutable std::mutex mutex_;
  std::map<label_values, series> series_;
};

/// One sample of a gauge read at scrape time.
struct gauge_sample {
  label_values labels;
  double value;
};

class registry {
 public:
  counter_family& counter(std::string name, std::string help,
                          std::vector<std::string> label_names = {});
  histogram_family& histogram(std::string name, std::string help,
                              std::vector<std::string> label_names, std::vector<double> bounds);
  /// A gauge whose samples `read` produces on each scrape (it must be cheap and thread-safe).
  void gauge(std::string name, std::string help, std::vector<std::string> label_names,
             std::function<std::vector<gauge_sample>()> read);

  /// The whole registry in Prometheus text format.
  [[nodiscard]] std::string expose() const;

 private:
  struct gauge_family {
    std::string name, help;
    std::vector<std::string> label_names;
    std::function<std::vector<gauge_sample>()> read;
  };
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<counter_family>> counters_;
  std::vector<std::unique_ptr<histogram_family>> histograms_;
  std::vector<gauge_family> gauges_;
};

/// Appends one gauge family in the text format: for values read elsewhere than a registered
/// gauge (a database read that must not run inside the registry's lock).
void append_gauge(std::string& out, const std::string& name, const std::string& help,
                  const std::vector<std::string>& label_names,
                  const std::vector<gauge_sample>& samples);

/// Escapes a label value per the exposition format (backslash, quote, newline).
std::string escape_label(std::string_view value);

}  // namespace rosterd::base::metrics
