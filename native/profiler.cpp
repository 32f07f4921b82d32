#include "profiler.h"

#include <torch/csrc/autograd/profiler_kineto.h>

#include <set>
#include <sstream>
#include <stdexcept>

namespace gradroute {
namespace {

namespace profiler = torch::autograd::profiler;
using torch::profiler::impl::ActivityType;
using torch::profiler::impl::ProfilerConfig;
using torch::profiler::impl::ProfilerState;

bool running = false;

void write_shapes(std::ostringstream& out, const profiler::KinetoEvent& e) {
  if (!e.hasShapes()) return;
  out << '[';
  bool first = true;
  for (const auto& shape : e.shapes()) {
    if (!first) out << ", ";
    first = false;
    out << '[';
    for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
    out << ']';
  }
  out << ']';
}

// Tabs and newlines would break the line format; op names never have them, but be safe.
std::string clean(std::string s) {
  for (char& c : s) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

}  // namespace

void profiler_start(bool record_shapes) {
  if (running) throw std::runtime_error("profiler_start: a profile is already running; stop it first");
  ProfilerConfig config(ProfilerState::KINETO, record_shapes);
  std::set<ActivityType> activities{ActivityType::CPU};
  profiler::prepareProfiler(config, activities);
  profiler::enableProfiler(config, activities);
  running = true;
}

std::string profiler_stop(const std::string& trace_path) {
  if (!running) throw std::runtime_error("profiler_stop: no profile is running");
  running = false;
  std::unique_ptr<profiler::ProfilerResult> result = profiler::disableProfiler();
  if (!result) throw std::runtime_error("profiler_stop: libtorch returned no profile");
  if (!trace_path.empty()) result->save(trace_path);
  std::ostringstream out;
  for (const auto& e : result->events()) {
    if (e.deviceType() != c10::DeviceType::CPU || e.isHiddenEvent()) continue;
    out << clean(e.name()) << '\t' << e.startThreadId() << '\t' << e.startNs() << '\t' << e.endNs() << '\t';
    write_shapes(out, e);
    out << '\n';
  }
  return out.str();
}

bool profiler_running() { return running; }

}  // namespace gradroute
