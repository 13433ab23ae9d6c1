#include "base/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace rosterd::base::metrics {
namespace {

std::string format_number(double v) {
  if (std::isinf(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  char buf[64];
  for (int precision = 15; precision <= 17; ++precision) {  // shortest form that round-trips
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) {
      break;
    }
  }
  return buf;
}

void append_labels(std::string& out, const std::vector<std::string>& names,
                   const label_values& values, std::string_view extra_name = {},
                   std::string_view extra_value = {}) {
  if (names.empty() && extra_name.empty()) {
    return;
  }
  out += '{';
  bool first = true;
  for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (!first) {
      out += ',';
    }
    first = false;
    out += names[i];
    out += "=\"";
    out += escape_label(values[i]);
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!first) {
      out += ',';
    }
    out += extra_name;
    out += "=\"";
    out += extra_value;
    out += '"';
  }
  out += '}';
}

void append_header(std::string& out, const std::string& name, const std::string& help,
                   std::string_view type) {
  out += "# HELP " + name + ' ' + help + '\n';
  out += "# TYPE " + name + ' ' + std::string(type) + '\n';
}

}  // namespace

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

counter_family::counter_family(std::string name, std::string help,
                               std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

void counter_family::inc(const label_values& labels, double delta) {
  std::lock_guard lock(mutex_);
  series_[labels] += delta;
}

double counter_family::value(const label_values& labels) const {
  std::lock_guard lock(mutex_);
  auto it = series_.find(labels);
  return it == series_.end() ? 0.0 : it->second;
}

void counter_family::expose(std::string& out) const {
  append_header(out, name_, help_, "counter");
  std::lock_guard lock(mutex_);
  for (const auto& [labels, value] : series_) {
    out += name_;
    append_labels(out, label_names_, labels);
    out += ' ' + format_number(value) + '\n';
  }
}

histogram_family::histogram_family(std::string name, std::string help,
                                   std::vector<std::string> label_names,
                                   std::vector<double> upper_bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
}

void histogram_family::observe(const label_values& labels, double value) {
  const auto bucket = static_cast<std::size_t>(
      std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  std::lock_guard lock(mutex_);
  auto& s = series_[labels];
  if (s.buckets.empty()) {
    s.buckets.assign(bounds_.size() + 1, 0);
  }
  ++s.buckets[bucket];
  s.sum += value;
  ++s.count;
}

void histogram_family::expose(std::string& out) const {
  append_header(out, name_, help_, "histogram");
  std::lock_guard lock(mutex_);
  for (const auto& [labels, s] : series_) {
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s.buckets[i];
      const std::string le = i < bounds_.size() ? format_number(bounds_[i]) : std::string("+Inf");
      out += name_ + "_bucket";
      append_labels(out, label_names_, labels, "le", le);
      out += ' ' + std::to_string(cumulative) + '\n';
    }
    out += name_ + "_sum";
    append_labels(out, label_names_, labels);
    out += ' ' + format_number(s.sum) + '\n';
    out += name_ + "_count";
    append_labels(out, label_names_, labels);
    out += ' ' + std::to_string(s.count) + '\n';
  }
}

counter_family& registry::counter(std::string name, std::string help,
                                  std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  counters_.push_back(
      std::make_unique<counter_family>(std::move(name), std::move(help), std::move(label_names)));
  return *counters_.back();
}

histogram_family& registry::histogram(std::string name, std::string help,
                                      std::vector<std::string> label_names,
                                      std::vector<double> bounds) {
  std::lock_guard lock(mutex_);
  histograms_.push_back(std::make_unique<histogram_family>(
      std::move(name), std::move(help), std::move(label_names), std::move(bounds)));
  return *histograms_.back();
}

void registry::gauge(std::string name, std::string help, std::vector<std::string> label_names,
                     std::function<std::vector<gauge_sample>()> read) {
  std::lock_guard lock(mutex_);
  gauges_.push_back({std::move(name), std::move(help), std::move(label_names), std::move(read)});
}

std::string registry::expose() const {
  std::string out;
  std::lock_guard lock(mutex_);
  for (const auto& c : counters_) {
    c->expose(out);
  }
  for (const auto& h : histograms_) {
    h->expose(out);
  }
  for (const auto& g : gauges_) {
    append_gauge(out, g.name, g.help, g.label_names, g.read());
  }
  return out;
}

void append_gauge(std::string& out, const std::string& name, const std::string& help,
                  const std::vector<std::string>& label_names,
                  const std::vector<gauge_sample>& samples) {
  append_header(out, name, help, "gauge");
  for (const auto& sample : samples) {
    out += name;
    append_labels(out, label_names, sample.labels);
    out += ' ' + format_number(sample.value) + '\n';
  }
}

}  // namespace rosterd::base::metrics
