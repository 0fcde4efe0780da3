//! Pure metric functions over slices of numbers (IC, classification, risk).
