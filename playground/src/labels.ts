// Places labels on the diagram without collisions: each label tries its candidate positions in order and
// takes the first whose box meets no obstacle (units, headers) and no label placed before it. A label
// with no free position is left off the diagram (the step-through's list has every number).

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface LabelRequest {
  width: number;
  height: number;
  /** Top-left corners to try, best first. */
  candidates: { x: number; y: number }[];
}

/** Whether two boxes overlap (touching edges do not count), with `gap` pixels of air required between them. */
export function intersects(a: Box, b: Box, gap = 0): boolean {
  return a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
}

/** The chosen box of each label, or null where every candidate collides or leaves `bounds`. */
export function placeLabels(requests: readonly LabelRequest[], obstacles: readonly Box[], bounds: Box, gap = 1,
  /** A further test a label's box must pass (k: the label's index), e.g. that no other link runs through it. */
  allowed: (box: Box, k: number) => boolean = () => true): (Box | null)[] {
  const placed: Box[] = [];
  return requests.map(({ width, height, candidates }, k) => {
    for (const { x, y } of candidates) {
      const box = { x, y, width, height };
      const inside = x >= bounds.x && y >= bounds.y && x + width <= bounds.x + bounds.width && y + height <= bounds.y + bounds.height;
      if (inside && !obstacles.some((o) => intersects(box, o, gap)) && !placed.some((p) => intersects(box, p, gap)) && allowed(box, k)) {
        placed.push(box);
        return box;
      }
    }
    return null;
  });
}
