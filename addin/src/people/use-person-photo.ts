import { useEffect, useState } from 'react';
import { useApi } from '../services/index.js';
import { loadPhoto } from './photo-cache.js';

/** A blob URL of the person's photo, or null while loading / when there is none. */
export function usePersonPhoto(personId: string | null | undefined, hasPhoto = true): string | null {
  const api = useApi();
  const [url, setUrl] = useState<string | null>(null);
  useEffect(() => {
    setUrl(null);
    if (!personId || !hasPhoto) return;
    let live = true;
    void loadPhoto(api, personId).then((u) => live && setUrl(u));
    return () => {
      live = false;
    };
  }, [api, personId, hasPhoto]);
  return url;
}
