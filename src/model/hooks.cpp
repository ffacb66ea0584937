#include "model/hooks.h"

#include <fnmatch.h>

#include <algorithm>
#include <array>
#include <stdexcept>

#include "model/block.h"

namespace massact {

namespace {
constexpr std::array<const char*, size_t(HookPoint::Count)> kSuffixes = {
    "hook_embed",
    "hook_resid_pre",
    "attn.hook_q",
    "attn.hook_k",
    "attn.hook_v",
    "attn.hook_rot_q",
    "attn.hook_rot_k",
    "attn.hook_attn_scores",
    "attn.hook_pattern",
    "attn.hook_z",
    "hook_attn_out",
    "hook_resid_mid",
    "mlp.hook_router_logits",
    "mlp.hook_expert_choice",
    "mlp.hook_post",
    "hook_mlp_out",
    "hook_resid_post",
    "ln_final.hook_normalized"};

}  // namespace

bool is_layer_hook(HookPoint point) {
  return point != HookPoint::Embed && point != HookPoint::LnFinal;
}

std::string hook_name(HookPoint point, int layer) {
  const char* suffix = kSuffixes[size_t(point)];
  if (!is_layer_hook(point)) return suffix;
  return "blocks." + std::to_string(layer) + "." + suffix;
}

// A block's points are those its layout's recipe fires (block.h).
bool model_fires(const ModelSpec& s, HookPoint point) {
  if (!is_layer_hook(point)) return true;
  const std::vector<HookPoint> points = plan_block(s).points;
  return std::find(points.begin(), points.end(), point) != points.end();
}

std::vector<std::string> all_hook_names(int n_layers) {
  std::vector<std::string> names{hook_name(HookPoint::Embed, -1)};
  for (int layer = 0; layer < n_layers; ++layer)
    for (size_t p = 0; p < size_t(HookPoint::Count); ++p)
      if (is_layer_hook(HookPoint(p))) names.push_back(hook_name(HookPoint(p), layer));
  names.push_back(hook_name(HookPoint::LnFinal, -1));
  return names;
}

std::vector<std::string> all_hook_names(const ModelSpec& spec) {
  const std::vector<HookPoint> points = plan_block(spec).points;  // in firing order
  std::vector<std::string> names{hook_name(HookPoint::Embed, -1)};
  for (int layer = 0; layer < int(spec.n_layers); ++layer)
    for (HookPoint point : points) names.push_back(hook_name(point, layer));
  names.push_back(hook_name(HookPoint::LnFinal, -1));
  return names;
}

void Hooks::observe(const std::string& pattern, HookObserver observer) {
  entries_.push_back({pattern, nullptr, std::move(observer)});
  bound_layers_ = -1;
}

void Hooks::edit(const std::string& pattern, HookEditor editor) {
  entries_.push_back({pattern, std::move(editor), nullptr});
  bound_layers_ = -1;
}

// Slots: one per (point, layer) for layer hooks; layer 0's slot serves Embed and LnFinal.
size_t Hooks::slot(HookPoint point, int layer) const {
  return size_t(is_layer_hook(point) ? layer : 0) * size_t(HookPoint::Count) + size_t(point);
}

void Hooks::bind(int n_layers) const {
  if (bound_layers_ == n_layers) return;
  size_t slots = size_t(std::max(n_layers, 1)) * size_t(HookPoint::Count);
  matches_.assign(slots, {});
  names_.assign(slots, {});
  for (int layer = 0; layer < std::max(n_layers, 1); ++layer) {
    for (size_t p = 0; p < size_t(HookPoint::Count); ++p) {
      auto point = HookPoint(p);
      if (!is_layer_hook(point) && layer > 0) continue;
      size_t s = slot(point, layer);
      names_[s] = hook_name(point, layer);
      for (size_t e = 0; e < entries_.size(); ++e)
        if (fnmatch(entries_[e].pattern.c_str(), names_[s].c_str(), 0) == 0)
          matches_[s].push_back(int(e));
    }
  }
  bound_layers_ = n_layers;
}

bool Hooks::wants(HookPoint point, int layer) const {
  if (bound_layers_ < 0) throw std::logic_error("Hooks::wants before bind");
  return !matches_[slot(point, layer)].empty();
}

void Hooks::fire(HookPoint point, int layer, Tensor& t) const {
  size_t s = slot(point, layer);
  HookEvent event{point, is_layer_hook(point) ? layer : -1, names_[s]};
  for (int e : matches_[s])
    if (entries_[e].editor) entries_[e].editor(event, t);
  for (int e : matches_[s])
    if (entries_[e].observer) entries_[e].observer(event, t);
}

}  // namespace massact
