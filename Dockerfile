# The Baton image: the worker (default command) or the Baton server (`node --import tsx src/api/main.ts`).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts run after the sources are copied (prepare bundles the CLI from src/).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY bin ./bin
RUN npm run --silent prepare
ENV NODE_ENV=production
CMD ["node", "--import", "tsx", "src/worker.ts"]
