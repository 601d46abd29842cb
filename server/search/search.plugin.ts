import fp from 'fastify-plugin';
import { ensureSearchLanguage, DEFAULT_SEARCH_LANGUAGE } from './search-language.js';
import { createSearchRepository, type SearchRepository } from './search-repository.js';

export interface SearchService {
  repository: SearchRepository;
  /** The text-search configuration the stored words were made with (SEARCH_LANGUAGE). */
  language: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Not `search`: Fastify has that name for the HTTP SEARCH method. */
    messageSearch: SearchService;
  }
}

export interface SearchPluginOptions {
  /** SEARCH_LANGUAGE: a PostgreSQL text-search configuration; default english. */
  language?: string;
}

/** Full-text search over the caller's rooms (Q1). */
export default fp<SearchPluginOptions>(
  async (app, options) => {
    const language = await ensureSearchLanguage(app.db, options.language ?? DEFAULT_SEARCH_LANGUAGE, app.log);
    app.decorate('messageSearch', { repository: createSearchRepository(app.db), language });
  },
  { name: 'search', dependencies: ['db'] },
);
