// Informer lists in pages (client-go's pager): a list of 10,000 streams or
// 30,000 Images asked for at once arrives as one body of tens of MB, parsed
// whole before any of it is shaped for the cache, and that transient peak is
// what sets a restarted operator's resident memory (V8 keeps heap it has
// grown). Page by page, only one page is ever held unshaped. Every page of a
// paginated list is read at one resourceVersion, so the joined list is as
// consistent as a single one. A continue token that expired mid-list (410,
// etcd compacted past it) falls back to one full list, as client-go does.
import type { KubernetesListObject, KubernetesObject } from "@kubernetes/client-node";
import { httpCode } from "./kube-errors.js";

/** One page's request: no limit asks for everything at once. */
export interface ListPage {
  limit?: number;
  continueToken?: string;
}

export type PageLister<T extends KubernetesObject> = (
  page: ListPage,
) => Promise<KubernetesListObject<T>>;

/** client-go's default page size for informer lists. */
export const DEFAULT_LIST_PAGE_SIZE = 500;

/**
 * Lists everything by pages of `pageSize` (0: one unpaginated request),
 * shaping each page's items before the next page is asked for.
 */
export async function listInPages<T extends KubernetesObject>(
  listPage: PageLister<T>,
  pageSize: number,
  shape: (obj: T) => T = (obj) => obj,
): Promise<KubernetesListObject<T>> {
  if (pageSize <= 0) return shaped(await listPage({}), shape);
  const items: T[] = [];
  let continueToken: string | undefined;
  for (;;) {
    let page: KubernetesListObject<T>;
    try {
      page = await listPage({ limit: pageSize, continueToken });
    } catch (err) {
      if (continueToken === undefined || httpCode(err) !== 410) throw err;
      return shaped(await listPage({}), shape);
    }
    for (const item of page.items ?? []) items.push(shape(item));
    continueToken = continueOf(page);
    // the watch goes on from the snapshot every page was read at
    if (!continueToken)
      return { ...page, metadata: { resourceVersion: page.metadata?.resourceVersion }, items };
  }
}

function shaped<T extends KubernetesObject>(
  list: KubernetesListObject<T>,
  shape: (obj: T) => T,
): KubernetesListObject<T> {
  return { ...list, items: (list.items ?? []).map(shape) };
}

/** Typed clients name the token `_continue`; custom objects arrive as raw JSON (`continue`). */
function continueOf(list: KubernetesListObject<KubernetesObject>): string | undefined {
  const meta = list.metadata as { _continue?: string; continue?: string } | undefined;
  return meta?._continue || meta?.continue || undefined;
}
