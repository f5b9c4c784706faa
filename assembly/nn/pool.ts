// placeholder: filled in by the pool kernel work
export function poolPlaceholder(): i32 { return 0; }
