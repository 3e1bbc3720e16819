# The Baton worker image: every Baton workflow and activity on the `baton` task queue.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY bin ./bin
ENV NODE_ENV=production
CMD ["node", "--import", "tsx", "src/worker.ts"]
